/* A stock C program for WASI (wasi-libc: fopen, fread, stat, opendir, getenv), built with
 * Zig's bundled clang by scripts/build-guests.sh; the test (crates/cli/tests/
 * wasi_programs.rs) runs it with fixtures/wasi-dir as ".". */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    char buf[256];
    printf("argc=%d", argc);
    for (int i = 0; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    const char *greeting = getenv("GREETING");
    printf("GREETING=%s\n", greeting ? greeting : "(none)");

    FILE *f = fopen("hello.txt", "r");
    size_t n = fread(buf, 1, sizeof buf, f);
    printf("hello.txt=%.*s", (int)n, buf);
    fclose(f);
    struct stat st;
    stat("./hello.txt", &st);
    printf("size=%lld regular=%d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    f = fopen("sub/nested.txt", "r");
    n = fread(buf, 1, sizeof buf, f);
    printf("nested=%.*s", (int)n, buf);
    fclose(f);

    char *names[16];
    int count = 0;
    DIR *d = opendir(".");
    struct dirent *e;
    while ((e = readdir(d)) != NULL && count < 16) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], by_name);
    printf("dir=");
    for (int i = 0; i < count; i++) printf("%s%s", i ? "," : "", names[i]);
    printf("\n");

    errno = 0;
    f = fopen("missing.txt", "r");
    printf("missing=%s\n", f ? "opened" : strerror(errno));
    errno = 0;
    f = fopen("new.txt", "w");
    printf("create=%s\n", f ? "opened" : strerror(errno));

    f = fopen("hello.txt", "r");
    fseek(f, 7, SEEK_SET);
    printf("tell=%ld\n", ftell(f));
    n = fread(buf, 1, sizeof buf, f);
    printf("from7=%.*s", (int)n, buf);
    printf("eof=%zu\n", fread(buf, 1, 4, f));
    fclose(f);

    n = fread(buf, 1, sizeof buf - 1, stdin);
    buf[n] = 0;
    printf("stdin=%s\n", buf);
    printf("stdout: été ✓\n");
    fprintf(stderr, "stderr: ünïcödé ✓\n");
    return 0;
}
