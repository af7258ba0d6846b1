/* il-lesson.c: loads .lesson files (GKeyFile) into a title, texts and run configurations. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "il-clock.h"
#include "il-file-map.h"
#include "il-lesson.h"
#include "il-lesson-private.h"

#define LESSON_GROUP "Lesson"
#define RUN_GROUP_PREFIX "Run "

struct _IlLesson
{
  GObject     parent_instance;

  char       *path;
  char       *id;
  char       *title;
  char       *explanation;
  char       *question;
  char       *answer;
  guint       cores;        /* the core count the lesson was filled for */
  GPtrArray  *run_ids;      /* of char * */
  GPtrArray  *run_configs;  /* of IlRunConfig * */
  char       *unavailable;  /* why its programs cannot run here (no python3), or NULL */
  char       *checksum;     /* SHA-256 of the bytes read from the file, or NULL (from data) */
};

G_DEFINE_FINAL_TYPE (IlLesson, il_lesson, G_TYPE_OBJECT)

static const char *const lesson_keys[] = { "Title", "Explanation", "Question", "Answer", "Runs" };
static const char *const run_keys[] = {
  "Label", "Executor", "GIL", "SwitchIntervalMs", "Workers", "Cpus", "Workload", "Tasks", "TaskMs",
  "Capture", "Command",
};

static void
il_lesson_finalize (GObject *object)
{
  IlLesson *self = IL_LESSON (object);

  g_free (self->path);
  g_free (self->id);
  g_free (self->title);
  g_free (self->explanation);
  g_free (self->question);
  g_free (self->answer);
  g_free (self->unavailable);
  g_free (self->checksum);
  g_clear_pointer (&self->run_ids, g_ptr_array_unref);
  g_clear_pointer (&self->run_configs, g_ptr_array_unref);

  G_OBJECT_CLASS (il_lesson_parent_class)->finalize (object);
}

static void
il_lesson_class_init (IlLessonClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = il_lesson_finalize;
}

static void
il_lesson_init (IlLesson *self)
{
  self->run_ids = g_ptr_array_new_with_free_func (g_free);
  self->run_configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
}

typedef struct
{
  const char *name;     /* the file, for messages */
  const char *dir;      /* the file's folder, or NULL: from @name (il_lesson_new_for_cores) */
  const char *locale;
  GKeyFile   *kf;
  GError    **error;
  guint       cores;    /* the machine's core count (or the one a test asks for) */
} Parse;

static gboolean G_GNUC_PRINTF (4, 5)
fail (Parse *p, const char *group, const char *key, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  if (key != NULL)
    g_set_error (p->error, IL_ERROR, IL_ERROR_INVALID, "%s: [%s] %s: %s", p->name, group, key, msg);
  else
    g_set_error (p->error, IL_ERROR, IL_ERROR_INVALID, "%s: [%s]: %s", p->name, group, msg);
  return FALSE;
}

/* Key name without a locale suffix: "Title[de]" → "Title". */
static char *
key_base (const char *key)
{
  const char *bracket = strchr (key, '[');

  return bracket != NULL ? g_strndup (key, (gsize) (bracket - key)) : g_strdup (key);
}

/* Whether every backslash in a raw value starts an escape a key file knows (\s \n \t \r \\, and
 * \; in lists). Checked before GLib reads the value: GLib 2.74 sets its error twice for a bad
 * escape followed by a backslash at the end of the line, and warns. */
static gboolean
escapes_valid (const char *raw)
{
  for (const char *c = raw; *c != '\0'; c++)
    {
      if (*c != '\\')
        continue;
      c++;
      if (*c == '\0' || strchr ("sntr\\;", *c) == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_keys (Parse *p, const char *group, const char *const *known, guint n_known,
            const char *const *translatable, guint n_translatable)
{
  g_auto(GStrv) keys = g_key_file_get_keys (p->kf, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *base = key_base (keys[i]);
      g_autofree char *raw = g_key_file_get_value (p->kf, group, keys[i], NULL);
      gboolean ok = FALSE;
      gboolean localized = strchr (keys[i], '[') != NULL;

      if (raw != NULL && !escapes_valid (raw))
        return fail (p, group, keys[i],
                     _("has a backslash that starts no escape (write \\\\ for a backslash)"));

      for (guint k = 0; k < n_known && !ok; k++)
        ok = strcmp (base, known[k]) == 0;
      if (ok && localized)
        {
          ok = FALSE;
          for (guint k = 0; k < n_translatable && !ok; k++)
            ok = strcmp (base, translatable[k]) == 0;
          if (!ok)
            return fail (p, group, keys[i], _("only text keys can have translations"));
        }
      if (!ok)
        {
          g_autoptr(GString) list = g_string_new (NULL);

          for (guint k = 0; k < n_known; k++)
            g_string_append_printf (list, "%s%s", k > 0 ? ", " : "", known[k]);
          return fail (p, group, keys[i], _("unknown key (known keys: %s)"), list->str);
        }
    }
  return TRUE;
}

/* A translated text; @required decides whether a missing key is an error. */
static gboolean
get_text (Parse *p, const char *group, const char *key, gboolean required, char **out)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;

  *out = NULL;
  if (!g_key_file_has_key (p->kf, group, key, NULL))
    return required ? fail (p, group, key, _("is missing")) : TRUE;
  value = g_key_file_get_locale_string (p->kf, group, key, p->locale, &local_error);
  if (value == NULL)
    return fail (p, group, key, "%s", local_error->message);
  g_strstrip (value);
  if (value[0] == '\0')
    return required ? fail (p, group, key, _("is empty")) : TRUE;
  *out = g_steal_pointer (&value);
  return TRUE;
}

/* The raw value, stripped; NULL (no error) when the key is absent. */
static char *
get_raw (Parse *p, const char *group, const char *key)
{
  char *value = g_key_file_get_value (p->kf, group, key, NULL);

  return value != NULL ? g_strstrip (value) : NULL;
}

static gboolean
lookup_cores (const char *name, double *value, gpointer user_data)
{
  Parse *p = user_data;

  if (strcmp (name, "cores") != 0)
    return FALSE;
  *value = p->cores;
  return TRUE;
}

static gboolean
is_plain_number (const char *raw)
{
  const char *c = raw[0] == '-' ? raw + 1 : raw;

  if (*c == '\0')
    return TRUE;
  for (; *c != '\0'; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

/* A count relative to the machine ("cores", "2*cores", "max(2, cores)"), so a lesson holds on
 * any machine. */
static gboolean
get_machine_uint (Parse *p, const char *group, const char *key, const char *raw, guint64 min,
                  guint64 max, guint *out)
{
  g_autoptr(GError) local_error = NULL;
  gint64 v;

  if (!il_lesson_eval (raw, lookup_cores, p, &v, &local_error))
    return fail (p, group, key, _("“%s” is not a whole number or an expression of cores (%s)"),
                 raw, local_error->message);
  if (v < 0 || (guint64) v < min || (guint64) v > max)
    return fail (p, group, key, _("%s is %" PRId64 " on %u cores, out of range (%" PRIu64 "…%" PRIu64 ")"),
                 raw, (int64_t) v, p->cores, min, max);
  *out = (guint) v;
  return TRUE;
}

static gboolean
get_uint (Parse *p, const char *group, const char *key, guint64 min, guint64 max, guint *out)
{
  g_autofree char *raw = get_raw (p, group, key);
  g_autoptr(GError) local_error = NULL;
  guint64 v;

  if (raw == NULL)
    return TRUE;
  if (!is_plain_number (raw))
    return get_machine_uint (p, group, key, raw, min, max, out);
  if (!g_ascii_string_to_unsigned (raw, 10, min, max, &v, &local_error))
    {
      if (g_error_matches (local_error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        return fail (p, group, key, _("%s is out of range (%" PRIu64 "…%" PRIu64 ")"),
                     raw, min, max);
      return fail (p, group, key, _("“%s” is not a whole number"), raw);
    }
  *out = (guint) v;
  return TRUE;
}

static gboolean
get_ms (Parse *p, const char *group, const char *key, double min, double max, double *out)
{
  g_autofree char *raw = get_raw (p, group, key);
  char *end = NULL;
  double v;

  if (raw == NULL)
    return TRUE;
  errno = 0;
  v = g_ascii_strtod (raw, &end);
  if (raw[0] == '\0' || end == NULL || *end != '\0' || errno != 0 || !isfinite (v))
    return fail (p, group, key, _("“%s” is not a number of milliseconds"), raw);
  if (v < min || v > max)
    return fail (p, group, key, _("%s ms is out of range (%g…%g)"), raw, min, max);
  *out = v;
  return TRUE;
}

static gboolean
get_bool (Parse *p, const char *group, const char *key, gboolean *out)
{
  g_autofree char *raw = get_raw (p, group, key);

  if (raw == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (raw, "true") == 0 || g_ascii_strcasecmp (raw, "yes") == 0 ||
      strcmp (raw, "1") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (raw, "false") == 0 || g_ascii_strcasecmp (raw, "no") == 0 ||
           strcmp (raw, "0") == 0)
    *out = FALSE;
  else
    return fail (p, group, key, _("“%s” is not true or false"), raw);
  return TRUE;
}

static char *
executor_names (void)
{
  GString *s = g_string_new (NULL);

  /* A lesson runs what it names; a traced program cannot be run. */
  for (int i = 0; i < IL_EXECUTOR_EXTERNAL; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", il_executor_to_string (i));
  return g_string_free (s, FALSE);
}

static char *
workload_names (void)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < IL_N_WORKLOADS; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", il_workload_to_string (i));
  return g_string_free (s, FALSE);
}

/* Traced-program runs (Command=, DESIGN.md): the command is split like a shell would (never run
 * by one); {lessondir} in a word is the lesson file's real folder (symlinks resolved), where its
 * programs are shipped. */
static char *
lesson_dir (Parse *p)
{
  g_auto(GStrv) dirs = NULL;
  g_autofree char *dir = NULL;
  char *real;

  if (p->dir != NULL)
    dir = g_strdup (p->dir);
  else if (strchr (p->name, '/') != NULL)
    dir = g_path_get_dirname (p->name);
  else
    {
      dirs = il_lesson_get_search_dirs ();
      dir = g_strdup (dirs != NULL && dirs[0] != NULL ? dirs[0] : ".");
    }
  /* Real: containment below compares resolved paths, and a lesson folder reached through a
   * symlink is the folder it points to. A lesson loaded from text may name no real folder. */
  if ((real = realpath (dir, NULL)) != NULL)
    {
      g_autofree char *copy = g_strdup (real);

      free (real);
      return g_steal_pointer (&copy);
    }
  /* Absolute: the program also runs in this folder, where a relative {lessondir} (a lesson
   * opened as data/lessons/x.lesson) would name data/lessons/data/lessons/. */
  return g_canonicalize_filename (dir, NULL);
}

/* Whether @path, resolved through '..' and symlinks, is inside @dir (itself resolved); the
 * resolved path in @resolved (NULL when @path does not exist). */
static gboolean
path_inside (const char *dir, const char *path, char **resolved)
{
  char *real = realpath (path, NULL);
  gsize len = strlen (dir);

  *resolved = NULL;
  if (real == NULL)
    return FALSE;
  *resolved = g_strdup (real);
  free (real);
  return strncmp (*resolved, dir, len) == 0 && ((*resolved)[len] == '/' || (*resolved)[len] == '\0' ||
                                                  g_strcmp0 (dir, "/") == 0);
}

/* A word that names a file relative to the lesson's folder: the program given as ./x or sub/x,
 * or an argument starting with ./ or ../ . */
static gboolean
is_relative_path (const char *word, gboolean program)
{
  if (g_path_is_absolute (word))
    return FALSE;
  if (program)
    return strchr (word, '/') != NULL;
  return g_str_has_prefix (word, "./") || g_str_has_prefix (word, "../") || strcmp (word, "..") == 0;
}

/* A lesson's command reaches only into its own folder: a program given by a relative path, a
 * {lessondir} word and a ./ or ../ argument must resolve inside it once '..' and symlinks are
 * resolved (a downloaded course folder must not run ../../bin/x or read {lessondir}/../../etc).
 * Programs without a '/' come from PATH, absolute ones are what they say; both are shown before
 * a lesson from elsewhere runs (il-lesson-trust.c). Replaces a relative program with its real
 * path, which is what runs. */
static gboolean
check_inside (Parse *p, const char *group, const char *dir, char **argv, const gboolean *had_dir)
{
  for (guint i = 0; argv[i] != NULL; i++)
    {
      const char *word = argv[i];
      g_autofree char *path = NULL;
      g_autofree char *resolved = NULL;

      if (!had_dir[i] && !is_relative_path (word, i == 0))
        continue;
      path = g_path_is_absolute (word) ? g_strdup (word) : g_build_filename (dir, word, NULL);
      if (!path_inside (dir, path, &resolved))
        {
          if (resolved == NULL)
            fail (p, group, "Command", _("the file “%s” does not exist in the lesson's folder %s"),
                  word, dir);
          else if (i == 0)
            fail (p, group, "Command",
                  _("the program “%s” is %s, outside the lesson's folder %s; a lesson runs only "
                    "programs from its folder, from PATH or given by an absolute path"),
                  word, resolved, dir);
          else
            fail (p, group, "Command",
                  _("the argument “%s” of program “%s” is %s, outside the lesson's folder %s"),
                  word, argv[0], resolved, dir);
          return FALSE;
        }
      if (i == 0 && !g_path_is_absolute (word))
        {
          g_free (argv[i]);
          argv[i] = g_steal_pointer (&resolved);
        }
    }
  return TRUE;
}

static IlRunConfig *
parse_program_run (Parse *p, const char *group, IlRunConfig *config_in)
{
  static const char *const not_for_programs[] = {
    "Executor", "GIL", "SwitchIntervalMs", "Workers", "Cpus", "Workload", "Tasks", "TaskMs",
  };
  g_autoptr(IlRunConfig) config = config_in;
  g_autofree char *raw = get_raw (p, group, "Command");
  g_autofree char *dir = lesson_dir (p);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree gboolean *had_dir = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (not_for_programs); i++)
    if (g_key_file_has_key (p->kf, group, not_for_programs[i], NULL))
      {
        fail (p, group, not_for_programs[i], _("does not apply to a traced program (Command=)"));
        return NULL;
      }
  if (raw == NULL || *g_strstrip (raw) == '\0')
    {
      fail (p, group, "Command", _("is empty"));
      return NULL;
    }
  if (!g_shell_parse_argv (raw, NULL, &argv, &local_error))
    {
      fail (p, group, "Command", _("cannot be split into words: %s"), local_error->message);
      return NULL;
    }
  had_dir = g_new0 (gboolean, g_strv_length (argv));
  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autoptr(GString) word = g_string_new (argv[i]);

      /* Per word, after the split: whatever the folder's name holds (spaces, ';', quotes) stays
       * one argument and means nothing to anyone. */
      g_string_replace (word, "{lessondir}", dir, 0);
      if (strchr (word->str, '{') != NULL && strchr (word->str, '}') != NULL)
        {
          fail (p, group, "Command", _("unknown placeholder in “%s” (known: {lessondir})"), argv[i]);
          return NULL;
        }
      had_dir[i] = strstr (argv[i], "{lessondir}") != NULL;
      g_free (argv[i]);
      argv[i] = g_string_free (g_steal_pointer (&word), FALSE);
    }
  if (!check_inside (p, group, dir, argv, had_dir))
    return NULL;
  g_clear_pointer (&raw, g_free);
  if ((raw = get_raw (p, group, "Capture")) != NULL)
    {
      if (g_strcmp0 (raw, "self") == 0 || !il_capture_from_string (raw, &config->capture))
        {
          fail (p, group, "Capture", _("unknown capture “%s” for a traced program (known: auto, kernel, sampled)"), raw);
          return NULL;
        }
    }
  il_run_config_set_program (config, g_steal_pointer (&argv), g_steal_pointer (&dir));
  return g_steal_pointer (&config);
}

/* A lesson whose programs need a command this machine lacks (python3) still loads: the menu
 * shows it disabled with the reason. */
static void
lesson_check_programs (IlLesson *self)
{
  for (guint i = 0; i < self->run_configs->len && self->unavailable == NULL; i++)
    {
      const IlRunConfig *config = g_ptr_array_index (self->run_configs, i);
      g_autofree char *found = NULL;

      if (!il_run_config_is_program (config) || strchr (config->command[0], '/') != NULL)
        continue;
      found = g_find_program_in_path (config->command[0]);
      if (found == NULL)
        self->unavailable = g_strdup_printf (_("needs %s, which is not installed"), config->command[0]);
    }
}

gboolean
il_lesson_get_runs_programs (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), FALSE);
  for (guint i = 0; i < self->run_configs->len; i++)
    if (il_run_config_is_program (g_ptr_array_index (self->run_configs, i)))
      return TRUE;
  return FALSE;
}

const char *
il_lesson_get_unavailable (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  return self->unavailable;
}

static IlRunConfig *
parse_run (Parse *p, const char *group)
{
  static const char *const translatable[] = { "Label" };
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autofree char *raw = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!check_keys (p, group, run_keys, G_N_ELEMENTS (run_keys), translatable,
                   G_N_ELEMENTS (translatable)))
    return NULL;

  if (!get_text (p, group, "Label", FALSE, &config->label))
    return NULL;
  if (g_key_file_has_key (p->kf, group, "Command", NULL))
    return parse_program_run (p, group, g_steal_pointer (&config));

  raw = get_raw (p, group, "Executor");
  if (raw == NULL)
    {
      fail (p, group, "Executor", _("is missing"));
      return NULL;
    }
  if (!il_executor_from_string (raw, &config->executor))
    {
      g_autofree char *known = executor_names ();
      fail (p, group, "Executor", _("unknown executor “%s” (known: %s)"), raw, known);
      return NULL;
    }
  g_clear_pointer (&raw, g_free);

  if (!get_bool (p, group, "GIL", &config->gil) ||
      !get_ms (p, group, "SwitchIntervalMs", 0.001, 10000.0, &config->switch_interval_ms) ||
      !get_uint (p, group, "Workers", 1, IL_MAX_WORKERS, &config->workers) ||
      !get_uint (p, group, "Tasks", 0, IL_MAX_TASKS, &config->tasks) ||
      !get_ms (p, group, "TaskMs", 0.0, IL_MAX_TASK_MS, &config->task_ms))
    return NULL;

  if ((raw = get_raw (p, group, "Workload")) != NULL)
    {
      if (!il_workload_from_string (raw, &config->workload))
        {
          g_autofree char *known = workload_names ();
          fail (p, group, "Workload", _("unknown workload “%s” (known: %s)"), raw, known);
          return NULL;
        }
      g_clear_pointer (&raw, g_free);
    }

  if ((raw = get_raw (p, group, "Capture")) != NULL)
    {
      if (!il_capture_from_string (raw, &config->capture))
        {
          fail (p, group, "Capture", _("unknown capture “%s” (known: auto, kernel, self)"), raw);
          return NULL;
        }
      g_clear_pointer (&raw, g_free);
    }

  if ((raw = get_raw (p, group, "Cpus")) != NULL)
    {
      GArray *cpus = NULL;

      if (!il_lesson_parse_cpus (raw, p->cores, lookup_cores, p, &cpus, &local_error))
        {
          fail (p, group, "Cpus", "%s", local_error->message);
          return NULL;
        }
      g_clear_pointer (&config->cpus, g_array_unref);
      config->cpus = cpus;
    }

  /* The CPU set was checked against p->cores above, which may be a core count a test asks for;
   * the machine's own check would refuse CPUs this machine lacks. */
  {
    GArray *cpus = g_steal_pointer (&config->cpus);
    gboolean valid = il_run_config_validate (config, &local_error);

    config->cpus = cpus;
    if (!valid)
      {
        fail (p, group, NULL, "%s", local_error->message);
        return NULL;
      }
  }
  return g_steal_pointer (&config);
}

typedef struct
{
  IlLesson *self;
  Parse    *p;
  int       run;   /* the run whose Label is filled, or -1 */
} Fill;

static double
run_value (IlLesson *self, guint cores, guint run, const char *what, gboolean *known)
{
  const IlRunConfig *config = g_ptr_array_index (self->run_configs, run);

  *known = TRUE;
  if (strcmp (what, "workers") == 0)
    return config->workers;
  if (strcmp (what, "tasks") == 0)
    return config->tasks;
  if (strcmp (what, "task_ms") == 0)
    return config->task_ms;
  if (strcmp (what, "cpus") == 0)
    return config->cpus != NULL && config->cpus->len > 0 ? config->cpus->len : cores;
  *known = FALSE;
  return 0;
}

/* Names a lesson text may use: cores; workers, tasks, task_ms and cpus (in a run's Label that
 * run's, elsewhere the largest of all runs); RUN.workers and so on for one run. */
static gboolean
lookup_text (const char *name, double *value, gpointer user_data)
{
  Fill *f = user_data;
  IlLesson *self = f->self;
  const char *dot = strchr (name, '.');
  gboolean known = FALSE;

  if (strcmp (name, "cores") == 0)
    {
      *value = f->p->cores;
      return TRUE;
    }
  if (dot != NULL)
    {
      for (guint i = 0; i < self->run_ids->len; i++)
        {
          const char *id = g_ptr_array_index (self->run_ids, i);

          if (strlen (id) == (gsize) (dot - name) && strncmp (id, name, strlen (id)) == 0)
            {
              *value = run_value (self, f->p->cores, i, dot + 1, &known);
              return known;
            }
        }
      return FALSE;
    }
  if (f->run >= 0)
    {
      *value = run_value (self, f->p->cores, (guint) f->run, name, &known);
      return known;
    }
  *value = 0;
  for (guint i = 0; i < self->run_configs->len; i++)
    {
      double v = run_value (self, f->p->cores, i, name, &known);

      if (!known)
        return FALSE;
      *value = MAX (*value, v);
    }
  return known;
}

static gboolean
fill_text (Fill *f, const char *group, const char *key, char **text)
{
  g_autoptr(GError) local_error = NULL;
  char *filled;

  if (*text == NULL)
    return TRUE;
  filled = il_lesson_fill (*text, lookup_text, f, &local_error);
  if (filled == NULL)
    return fail (f->p, group, key, "%s", local_error->message);
  g_free (*text);
  *text = filled;
  return TRUE;
}

/* Fills the placeholders of every text once the runs (and so their worker counts) are known. */
static gboolean
fill_texts (IlLesson *self, Parse *p)
{
  Fill f = { self, p, -1 };

  if (!fill_text (&f, LESSON_GROUP, "Title", &self->title) ||
      !fill_text (&f, LESSON_GROUP, "Explanation", &self->explanation) ||
      !fill_text (&f, LESSON_GROUP, "Question", &self->question) ||
      !fill_text (&f, LESSON_GROUP, "Answer", &self->answer))
    return FALSE;
  for (guint i = 0; i < self->run_configs->len; i++)
    {
      IlRunConfig *config = g_ptr_array_index (self->run_configs, i);
      g_autofree char *group = g_strconcat (RUN_GROUP_PREFIX,
                                            (const char *) g_ptr_array_index (self->run_ids, i),
                                            NULL);

      f.run = (int) i;
      if (!fill_text (&f, group, "Label", &config->label))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_lesson (IlLesson *self, Parse *p)
{
  static const char *const translatable[] = { "Title", "Explanation", "Question", "Answer" };
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) runs = NULL;
  gsize n_runs = 0;

  if (!g_key_file_has_group (p->kf, LESSON_GROUP))
    {
      g_set_error (p->error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: not a lesson: the [%s] group is missing"), p->name, LESSON_GROUP);
      return FALSE;
    }
  if (!check_keys (p, LESSON_GROUP, lesson_keys, G_N_ELEMENTS (lesson_keys), translatable,
                   G_N_ELEMENTS (translatable)) ||
      !get_text (p, LESSON_GROUP, "Title", TRUE, &self->title) ||
      !get_text (p, LESSON_GROUP, "Explanation", TRUE, &self->explanation) ||
      !get_text (p, LESSON_GROUP, "Question", FALSE, &self->question) ||
      !get_text (p, LESSON_GROUP, "Answer", FALSE, &self->answer))
    return FALSE;

  if (!g_key_file_has_key (p->kf, LESSON_GROUP, "Runs", NULL))
    return fail (p, LESSON_GROUP, "Runs", _("is missing (a list of run names such as gil;procs)"));
  runs = g_key_file_get_string_list (p->kf, LESSON_GROUP, "Runs", &n_runs, NULL);
  if (runs == NULL || n_runs == 0)
    return fail (p, LESSON_GROUP, "Runs", _("lists no runs"));

  for (gsize i = 0; i < n_runs; i++)
    {
      g_autofree char *id = g_strstrip (g_strdup (runs[i]));
      g_autofree char *group = g_strconcat (RUN_GROUP_PREFIX, id, NULL);
      IlRunConfig *config;

      if (id[0] == '\0')
        return fail (p, LESSON_GROUP, "Runs", _("has an empty run name"));
      for (guint k = 0; k < self->run_ids->len; k++)
        if (strcmp (g_ptr_array_index (self->run_ids, k), id) == 0)
          return fail (p, LESSON_GROUP, "Runs", _("lists “%s” twice"), id);
      if (!g_key_file_has_group (p->kf, group))
        return fail (p, LESSON_GROUP, "Runs", _("lists “%s” but there is no [%s] group"), id, group);
      if ((config = parse_run (p, group)) == NULL)
        return FALSE;
      g_ptr_array_add (self->run_ids, g_steal_pointer (&id));
      g_ptr_array_add (self->run_configs, config);
    }

  /* A group nobody runs is almost always a typo in Runs=; say so instead of ignoring it. */
  groups = g_key_file_get_groups (p->kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      gboolean listed = FALSE;

      if (strcmp (groups[i], LESSON_GROUP) == 0)
        continue;
      if (!g_str_has_prefix (groups[i], RUN_GROUP_PREFIX))
        {
          g_set_error (p->error, IL_ERROR, IL_ERROR_INVALID,
                       _("%s: [%s]: unknown group (a lesson has [Lesson] and [Run NAME] groups)"),
                       p->name, groups[i]);
          return FALSE;
        }
      for (guint k = 0; k < self->run_ids->len && !listed; k++)
        listed = strcmp (groups[i] + strlen (RUN_GROUP_PREFIX),
                         g_ptr_array_index (self->run_ids, k)) == 0;
      if (!listed)
        {
          g_set_error (p->error, IL_ERROR, IL_ERROR_INVALID,
                       _("%s: [%s]: this run is not listed in Runs= of [Lesson]"), p->name,
                       groups[i]);
          return FALSE;
        }
    }
  return fill_texts (self, p);
}

static char *
id_from_name (const char *name)
{
  g_autofree char *base = g_path_get_basename (name);

  if (g_str_has_suffix (base, LESSON_SUFFIX))
    base[strlen (base) - strlen (LESSON_SUFFIX)] = '\0';
  return g_steal_pointer (&base);
}

IlLesson *
il_lesson_new_from_data (const char  *data,
                         gsize        length,
                         const char  *name,
                         const char  *locale,
                         GError     **error)
{
  return il_lesson_new_for_cores (data, length, name, locale, 0, error);
}

static IlLesson *
lesson_new (const char *data, gsize length, const char *name, const char *dir, const char *locale,
            guint cores, GError **error)
{
  g_autoptr(IlLesson) self = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  Parse p;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (name == NULL)
    name = "lesson";
  if (!g_key_file_load_from_data (kf, data != NULL ? data : "", length,
                                  G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &local_error))
    {
      /* GKeyFile's messages quote the offending line, which is what a teacher needs to find. */
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, "%s: %s", name, local_error->message);
      return NULL;
    }

  self = g_object_new (IL_TYPE_LESSON, NULL);
  self->id = id_from_name (name);
  self->cores = cores > 0 ? cores : il_cpu_count ();
  p.name = name;
  p.dir = dir;
  p.locale = locale;
  p.kf = kf;
  p.error = error;
  p.cores = self->cores;
  if (!parse_lesson (self, &p))
    return NULL;
  lesson_check_programs (self);
  return g_steal_pointer (&self);
}

IlLesson *
il_lesson_new_for_cores (const char  *data,
                         gsize        length,
                         const char  *name,
                         const char  *locale,
                         guint        cores,
                         GError     **error)
{
  return lesson_new (data, length, name, NULL, locale, cores, error);
}

/* Lessons are a few kilobytes; a bigger file is not one. */
#define MAX_LESSON_BYTES (16u << 20)

/* Reads a regular file only: opening a FIFO would wait for a writer and a device such as
 * /dev/zero would never end. O_NONBLOCK keeps the open itself from blocking. */
static char *
read_lesson_file (const char *path, gsize *length, GError **error)
{
  const IlFileMapWords words = {
    _("Cannot read lesson: %s: %s"),
    _("Cannot read lesson: %s is not a regular file"),
    _("Cannot read lesson: %s is not a regular file"),
    _("Cannot read lesson: %s is larger than a lesson can be"),
    _("Cannot read lesson: %s"),
  };
  g_autoptr(GMappedFile) mapped = NULL;

  mapped = il_file_map_regular (path, MAX_LESSON_BYTES, &words, error);
  if (mapped == NULL)
    return NULL;
  *length = g_mapped_file_get_length (mapped);
  /* An empty file has no mapping. */
  if (*length == 0)
    return g_strdup ("");
  return g_strndup (g_mapped_file_get_contents (mapped), *length);
}

IlLesson *
il_lesson_new_from_file (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  /* The file's own folder, also for a bare name (the current folder), never a shipped one. */
  g_autofree char *dir = g_path_get_dirname (path);
  gsize length = 0;
  IlLesson *self;

  g_return_val_if_fail (path != NULL, NULL);

  if ((data = read_lesson_file (path, &length, error)) == NULL)
    return NULL;
  self = lesson_new (data, length, path, dir, NULL, 0, error);
  if (self != NULL)
    {
      self->path = g_strdup (path);
      self->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
    }
  return self;
}

const char *
il_lesson_get_checksum (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  return self->checksum;
}

guint
il_lesson_get_cores (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), 0);
  return self->cores;
}

const char *
il_lesson_get_path (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  return self->path;
}

const char *
il_lesson_get_id (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  return self->id;
}

const char *
il_lesson_get_title (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  return self->title;
}

const char *
il_lesson_get_explanation (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  return self->explanation;
}

const char *
il_lesson_get_question (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  return self->question;
}

const char *
il_lesson_get_answer (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  return self->answer;
}

guint
il_lesson_get_n_runs (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), 0);
  return self->run_configs->len;
}

const char *
il_lesson_get_run_id (IlLesson *self, guint index)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  g_return_val_if_fail (index < self->run_ids->len, NULL);
  return g_ptr_array_index (self->run_ids, index);
}

const IlRunConfig *
il_lesson_get_run_config (IlLesson *self, guint index)
{
  g_return_val_if_fail (IL_IS_LESSON (self), NULL);
  g_return_val_if_fail (index < self->run_configs->len, NULL);
  return g_ptr_array_index (self->run_configs, index);
}

int
il_lesson_get_baseline (IlLesson *self)
{
  g_return_val_if_fail (IL_IS_LESSON (self), -1);

  for (guint i = 0; i < self->run_configs->len; i++)
    {
      const IlRunConfig *config = g_ptr_array_index (self->run_configs, i);

      if (config->executor == IL_EXECUTOR_SEQUENTIAL)
        return (int) i;
    }
  return -1;
}
