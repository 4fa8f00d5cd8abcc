#include "boot.h"
#include "lib.h"
#include "test.h"
static void run_paging(void) { ok("stub"); }
GUEST_TEST(10, paging, run_paging, 0);
