/* record.c: being written; see record.h. */
typedef int pms_record_placeholder;
