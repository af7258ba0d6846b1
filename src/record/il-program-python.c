/* il-program-python.c: where a CPython process keeps its GIL (_PyRuntime, from ELF). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where a CPython process keeps its GIL: _PyRuntime looked up in the ELF symbol tables of the
 * python binary or libpython that /proc/PID/maps shows mapped. */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "il-program-private.h"

typedef struct
{
  gboolean found;
  gboolean dyn;                 /* ET_DYN: addresses are relative to the load base */
  guint64  value, size;
  guint64  first_vaddr;         /* of the first PT_LOAD, mapped at the file's offset 0 */
} ElfRuntime;

/* Looks _PyRuntime up in the dynamic symbol table (every CPython exports it: ctypes and
 * debuggers rely on it), else in .symtab. 64-bit ELF only. */
static void
elf_find_runtime (const char *path, ElfRuntime *out)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  const guint8 *map;
  const Elf64_Ehdr *eh;

  memset (out, 0, sizeof *out);
  if (fd < 0)
    return;
  if (fstat (fd, &st) != 0 || st.st_size < (off_t) sizeof (Elf64_Ehdr))
    {
      close (fd);
      return;
    }
  map = mmap (NULL, (gsize) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close (fd);
  if (map == MAP_FAILED)
    return;
  eh = (const Elf64_Ehdr *) (gconstpointer) map;
  if (memcmp (eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shoff == 0 || eh->e_shoff + (guint64) eh->e_shnum * sizeof (Elf64_Shdr) > (guint64) st.st_size ||
      eh->e_phoff + (guint64) eh->e_phnum * sizeof (Elf64_Phdr) > (guint64) st.st_size)
    goto out;

  out->dyn = eh->e_type == ET_DYN;
  for (guint i = 0; i < eh->e_phnum; i++)
    {
      const Elf64_Phdr *ph = (const Elf64_Phdr *) (gconstpointer) (map + eh->e_phoff + i * sizeof *ph);
      if (ph->p_type == PT_LOAD)
        {
          out->first_vaddr = ph->p_vaddr - ph->p_offset;
          break;
        }
    }

  for (int pass = 0; pass < 2 && !out->found; pass++)
    for (guint i = 0; i < eh->e_shnum && !out->found; i++)
      {
        const Elf64_Shdr *sh = (const Elf64_Shdr *) (gconstpointer) (map + eh->e_shoff + i * sizeof *sh);
        const Elf64_Shdr *strsh;

        if (sh->sh_type != (pass == 0 ? SHT_DYNSYM : SHT_SYMTAB) || sh->sh_link >= eh->e_shnum ||
            sh->sh_offset + sh->sh_size > (guint64) st.st_size || sh->sh_entsize != sizeof (Elf64_Sym))
          continue;
        strsh = (const Elf64_Shdr *) (gconstpointer) (map + eh->e_shoff + sh->sh_link * sizeof *sh);
        if (strsh->sh_offset + strsh->sh_size > (guint64) st.st_size)
          continue;
        for (guint64 k = 0; k < sh->sh_size / sizeof (Elf64_Sym); k++)
          {
            const Elf64_Sym *sym = (const Elf64_Sym *) (gconstpointer) (map + sh->sh_offset + k * sizeof *sym);

            if (sym->st_name >= strsh->sh_size || sym->st_shndx == SHN_UNDEF || sym->st_size == 0)
              continue;
            if (strncmp ((const char *) map + strsh->sh_offset + sym->st_name, "_PyRuntime",
                         strsh->sh_size - sym->st_name) == 0)
              {
                out->found = TRUE;
                out->value = sym->st_value;
                out->size = sym->st_size;
                break;
              }
          }
      }
out:
  munmap ((gpointer) map, (gsize) st.st_size);
}

gboolean
il_program_find_runtime_cached (GHashTable *cache, int pid, guint64 *lo, guint64 *hi)
{
  g_autofree char *maps_path = g_strdup_printf ("/proc/%d/maps", pid);
  g_autofree char *maps = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (maps_path, &maps, NULL, NULL))
    return FALSE;
  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      unsigned long long start, end, offset;
      char perms[8];
      int name_at = 0;
      const char *path, *base;
      ElfRuntime *rt;

      if (sscanf (lines[i], "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &offset,
                  &name_at) < 4 || name_at == 0 || offset != 0)
        continue;
      path = lines[i] + name_at;
      base = strrchr (path, '/');
      base = base != NULL ? base + 1 : path;
      /* Only CPython's own files: the interpreter binary or libpython. */
      if (path[0] != '/' || (!g_str_has_prefix (base, "python") && !g_str_has_prefix (base, "libpython")))
        continue;
      rt = cache != NULL ? g_hash_table_lookup (cache, path) : NULL;
      if (rt == NULL)
        {
          rt = g_new0 (ElfRuntime, 1);
          elf_find_runtime (path, rt);
          if (cache != NULL)
            g_hash_table_insert (cache, g_strdup (path), rt);
        }
      if (rt->found)
        {
          guint64 addr = rt->dyn ? start + rt->value - rt->first_vaddr : rt->value;

          *lo = addr;
          *hi = addr + rt->size;
          if (cache == NULL)
            g_free (rt);
          return TRUE;
        }
      if (cache == NULL)
        g_free (rt);
    }
  return FALSE;
}

gboolean
il_program_find_python_runtime (int pid, guint64 *lo, guint64 *hi)
{
  g_return_val_if_fail (lo != NULL && hi != NULL, FALSE);
  return il_program_find_runtime_cached (NULL, pid, lo, hi);
}
