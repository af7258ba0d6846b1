/* il-painter-header.c: a summary string with another name for a state (check-vocabulary.py must say so). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
static const char *const figures[] = { N_("Ready, not running"), N_("I/O wait") };
