/* pms-when: a test helper, being written. */
int main(void) { return 70; }
