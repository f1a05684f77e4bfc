/*
 * The kernel's share of one batch row on this machine, without biopass: what any
 * client pays for the system calls a journaled enroll cannot avoid. Used by
 * `benches/scale.sh` (section `floor`); prints one `name value` line per figure,
 * in microseconds of CPU (user + system, from getrusage) per operation.
 *
 *   floor IMAGE PORT KEY N
 *
 *   open_read   open, fstat, read and close IMAGE (a row's image is read twice:
 *               once to validate it, once to send it)
 *   request     one enroll request of IMAGE (base64 in the JSON body) and its answer
 *               over one kept-alive connection to 127.0.0.1:PORT, one at a time
 *   request8    the same with 8 in flight: 8 kept-alive connections, each round
 *               writes a request on every one, then reads every answer (per request)
 *   fsync       write 300 bytes to a file and fdatasync it (one journal group commit)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static double cpu_us(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t base64(const unsigned char *in, size_t n, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? B64[v & 63] : '=';
    }
    return o;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: floor IMAGE PORT KEY N\n");
        return 2;
    }
    const char *image = argv[1], *key = argv[3];
    int port = atoi(argv[2]), n = atoi(argv[4]);
    static unsigned char img[65536];
    static char b64[90000], body[100000], req[110000], answer[65536];

    double t = cpu_us();
    ssize_t len = 0;
    for (int i = 0; i < n; i++) {
        int fd = open(image, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0) { perror(image); return 1; }
        len = read(fd, img, sizeof img);
        close(fd);
    }
    printf("open_read %.2f\n", (cpu_us() - t) / n);
    if (len <= 0) { fprintf(stderr, "%s: empty or unreadable\n", image); return 1; }

    size_t b64n = base64(img, len, b64);
    b64[b64n] = 0;
    int socks[8];
    for (int c = 0; c < 8; c++) {
        int one = 1;
        struct sockaddr_in a = {0};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socks[c] = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(socks[c], (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
        setsockopt(socks[c], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    int id = 0;
    for (int width = 1; width <= 8; width += 7) {
        int rounds = n / width;
        t = cpu_us();
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < width; c++) {
                int bl = snprintf(body, sizeof body,
                                  "{\"Person\":{\"CustomID\":\"floor-%d\",\"Face\":[{\"Face-1\":\"%s\"}]}}",
                                  id++, b64);
                int hl = snprintf(req, sizeof req,
                                  "POST /multibiometrics/enroll HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                                  "Ocp-Apim-Subscription-Key: %s\r\nContent-Type: application/json\r\n"
                                  "Content-Length: %d\r\n\r\n%s", port, key, bl, body);
                if (write(socks[c], req, hl) != hl) { perror("write"); return 1; }
            }
            for (int c = 0; c < width; c++) {
                ssize_t got = read(socks[c], answer, sizeof answer - 1);
                if (got <= 0) { fprintf(stderr, "the server closed the connection\n"); return 1; }
                answer[got] = 0;
                if (strncmp(answer, "HTTP/1.1 200", 12) != 0) {
                    fprintf(stderr, "not 200: %.80s\n", answer);
                    return 1;
                }
            }
        }
        printf("%s %.2f\n", width == 1 ? "request" : "request8", (cpu_us() - t) / (rounds * width));
    }
    for (int c = 0; c < 8; c++) close(socks[c]);

    char path[] = "floor-fsync.XXXXXX", line[300];
    int fd = mkstemp(path);
    if (fd < 0) { perror("mkstemp"); return 1; }
    memset(line, 'x', sizeof line);
    int syncs = n < 2000 ? n : 2000;
    t = cpu_us();
    for (int i = 0; i < syncs; i++) {
        if (write(fd, line, sizeof line) != (ssize_t)sizeof line || fdatasync(fd) != 0) {
            perror("fsync");
            return 1;
        }
    }
    printf("fsync %.2f\n", (cpu_us() - t) / syncs);
    close(fd);
    unlink(path);
    return 0;
}
