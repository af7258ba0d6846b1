/* il-cli-program.c: why a traced program cannot start, and how it ended, in words for the command line. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "il-cli.h"

/* The ELF header's class and machine of @path: FALSE when it is no ELF file. */
static gboolean
read_elf_machine (const char *head, gsize len, int *elf_class, int *machine)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *) head;

  /* e_machine sits at the same offset in 32- and 64-bit headers. */
  if (len < sizeof (Elf32_Ehdr) || memcmp (head, ELFMAG, SELFMAG) != 0)
    return FALSE;
  *elf_class = (unsigned char) head[EI_CLASS];
  *machine = head[EI_DATA] == ELFDATA2MSB ? GUINT16_FROM_BE (eh->e_machine)
                                          : GUINT16_FROM_LE (eh->e_machine);
  return TRUE;
}

static gsize
read_head (const char *path, char *buf, gsize size)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  ssize_t n;

  if (fd < 0)
    return 0;
  n = read (fd, buf, size);
  close (fd);
  return n > 0 ? (gsize) n : 0;
}

static const char *
machine_name (int machine)
{
  switch (machine)
    {
    case EM_386: return "x86 (32-bit)";
    case EM_X86_64: return "x86-64";
    case EM_ARM: return "ARM (32-bit)";
    case EM_AARCH64: return "ARM64 (aarch64)";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "POWER (ppc64)";
    case EM_S390: return "s390x";
    default: return NULL;
    }
}

static char *
describe_machine (int elf_class, int machine)
{
  const char *name = machine_name (machine);

  if (name != NULL)
    return g_strdup (name);
  return g_strdup_printf ("ELF machine %d, %d-bit", machine, elf_class == ELFCLASS64 ? 64 : 32);
}

/* What execve() would say, found before anything starts: "status 127" tells the user nothing. */
static gboolean
check_file (const char *display, const char *path, gboolean is_interpreter, GError **error)
{
  struct stat st;
  char head[256];
  gsize len;
  int elf_class, machine, own_class, own_machine;

  if (stat (path, &st) != 0)
    {
      int saved = errno;

      if (is_interpreter)
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                     _("cannot run %s: its interpreter %s (the #! line): %s"), display, path,
                     g_strerror (saved));
      else
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("cannot run %s: %s"), display,
                     g_strerror (saved));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("cannot run %s: it is a folder"), display);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("cannot run %s: it is not a regular file"),
                   display);
      return FALSE;
    }
  if (access (path, X_OK) != 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("cannot run %s: it is not executable (no execute permission; chmod +x adds it)"),
                   display);
      return FALSE;
    }
  len = read_head (path, head, sizeof head);
  if (read_elf_machine (head, len, &elf_class, &machine))
    {
      char own[256];
      gsize own_len = read_head ("/proc/self/exe", own, sizeof own);

      if (read_elf_machine (own, own_len, &own_class, &own_machine) &&
          (elf_class != own_class || machine != own_machine))
        {
          g_autofree char *theirs = describe_machine (elf_class, machine);
          g_autofree char *ours = describe_machine (own_class, own_machine);

          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("cannot run %s: it is a program for another architecture (%s; this machine runs %s)"),
                       display, theirs, ours);
          return FALSE;
        }
      return TRUE;
    }
  if (len >= 2 && head[0] == '#' && head[1] == '!' && !is_interpreter)
    {
      g_autofree char *line = g_strndup (head + 2, len - 2);
      g_autofree char *interpreter = NULL;

      g_strdelimit (line, "\r\n", '\0');
      interpreter = g_strstrip (g_strdup (line));
      interpreter[strcspn (interpreter, " \t")] = '\0';
      if (interpreter[0] == '\0')
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("cannot run %s: its #! line names no interpreter"), display);
          return FALSE;
        }
      return check_file (display, interpreter, TRUE, error);
    }
  if (!is_interpreter)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("cannot run %s: it is neither a program this machine runs nor a script starting with #!"),
                   display);
      return FALSE;
    }
  return TRUE;
}

gboolean
il_cli_check_program (const IlRunConfig *config, GError **error)
{
  const char *arg0;
  g_autofree char *path = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (config != NULL, FALSE);

  /* What il_run_config_validate() says better: no command, no working folder. */
  if (!il_run_config_is_program (config) || config->command[0] == NULL ||
      config->command[0][0] == '\0' ||
      (config->cwd != NULL && config->cwd[0] != '\0' && !g_file_test (config->cwd, G_FILE_TEST_IS_DIR)))
    return TRUE;
  arg0 = config->command[0];
  display = g_filename_display_name (arg0);
  if (strchr (arg0, '/') == NULL)
    {
      if ((path = g_find_program_in_path (arg0)) == NULL)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("cannot run %s: no such program in any folder of PATH"), display);
          return FALSE;
        }
    }
  else if (config->cwd != NULL && config->cwd[0] != '\0' && !g_path_is_absolute (arg0))
    path = g_build_filename (config->cwd, arg0, NULL);
  else
    path = g_strdup (arg0);
  return check_file (display, path, FALSE, error);
}

char *
il_cli_describe_end (int wait_status)
{
  if (wait_status == -1)
    return NULL;
  if (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) != 0)
    return g_strdup_printf (_("exited with status %d"), WEXITSTATUS (wait_status));
  if (WIFSIGNALED (wait_status))
    {
      int sig = WTERMSIG (wait_status);

      return g_strdup_printf (_("was ended by signal %d (%s)"), sig, g_strsignal (sig));
    }
  return NULL;
}

void
il_cli_append_stderr_tail (GString *out, const char *tail)
{
  g_auto(GStrv) lines = NULL;

  if (tail == NULL || *tail == '\0')
    return;
  lines = g_strsplit (tail, "\n", -1);
  g_string_append_printf (out, _("  its last lines on stderr:\n"));
  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "  | %s\n", g_strchomp (lines[i]));
}
