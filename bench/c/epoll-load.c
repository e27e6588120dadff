/* The bench's baseline load client: N connections over epoll, one request of S bytes in flight
 * on each (pipelining 1, as Wirelab's), for MS milliseconds; prints answered requests and the
 * seconds measured. cc -O2 -o epoll-load epoll-load.c; ./epoll-load PORT N S MS */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
  if (argc < 5) return 2;
  int port = atoi(argv[1]), n = atoi(argv[2]), size = atoi(argv[3]);
  double ms = atof(argv[4]);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
  char *req = malloc(size), buf[65536];
  memset(req, 'x', size);
  req[size - 1] = '\n';
  int *fds = calloc(n, sizeof(int));
  int ep = epoll_create1(0), one = 1;
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  for (int i = 0; i < n; i++) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a)) { perror("connect"); return 1; }
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = s };
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    fds[i] = s;
  }
  /* Bytes of the current answer received, by descriptor. */
  int maxfd = 0;
  for (int i = 0; i < n; i++) if (fds[i] > maxfd) maxfd = fds[i];
  int *got = calloc(maxfd + 1, sizeof(int));
  /* All connected: start the clock and send every connection's first request. */
  double t0 = now(), end = t0 + ms / 1000;
  long answered = 0;
  struct epoll_event evs[512];
  for (int i = 0; i < n; i++) send(fds[i], req, size, MSG_NOSIGNAL);
  while (now() < end) {
    int k = epoll_wait(ep, evs, 512, 50);
    for (int i = 0; i < k; i++) {
      int fd = evs[i].data.fd;
      ssize_t r = read(fd, buf, sizeof buf);
      if (r <= 0) continue;
      got[fd] += r;
      if (got[fd] >= size) {
        got[fd] -= size;
        answered++;
        send(fd, req, size, MSG_NOSIGNAL);
      }
    }
  }
  printf("{\"answered\":%ld,\"seconds\":%.6f}\n", answered, now() - t0);
  return 0;
}
