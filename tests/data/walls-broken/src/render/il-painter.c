/* A render file that breaks two walls: the check must fail on it. */
#include "config.h"
#include "il-run.h"
#include "il-trace-io-private.h"
