/* config.c: being written; see config.h. */
typedef int pms_config_placeholder;
