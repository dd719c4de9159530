/* money.c: being written; see money.h. */
typedef int pms_money_placeholder;
