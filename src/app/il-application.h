/* il-application.h: the Interleave application: windows, files from the file manager, --run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define IL_TYPE_APPLICATION (il_application_get_type ())
G_DECLARE_FINAL_TYPE (IlApplication, il_application, IL, APPLICATION, AdwApplication)

IlApplication *il_application_new (void);

G_END_DECLS
