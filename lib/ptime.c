/* ptime.c: being written; see ptime.h. */
typedef int pms_ptime_placeholder;
