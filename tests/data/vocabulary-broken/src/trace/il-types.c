/* il-types.c: a state's title that is not the glossary's name (check-vocabulary.py must say so). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
const char *
il_state_get_title (IlState state)
{
  switch (state)
    {
    case IL_STATE_RUNNING:  return _("Running");
    case IL_STATE_READY:    return _("Ready (waiting for a CPU)");
    case IL_STATE_GIL_WAIT: return _("Waiting for the GIL");
    case IL_STATE_LOCK_WAIT: return _("Lock wait");
    case IL_STATE_IO_WAIT:  return _("I/O wait");
    case IL_STATE_LOOP_WAIT: return _("Loop wait");
    case IL_STATE_IDLE:     return _("Idle");
    case IL_STATE_STARTUP:  return _("Starting up");
    }
}
