/* A render file that breaks two walls: the check must fail on it. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"
#include "il-run.h"
#include "il-trace-io-private.h"
