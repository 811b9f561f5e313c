/* Sieve of Eratosthenes over a byte array, as kernels/sieve.py does over a list of bools. */
#include <stdlib.h>

long long sieve(long long n) {
    unsigned char *flags = malloc((size_t)n + 1);
    for (long long k = 0; k <= n; k++) flags[k] = 1;
    flags[0] = 0;
    flags[1] = 0;
    for (long long i = 2; i * i <= n; i++) {
        if (flags[i])
            for (long long j = i * i; j <= n; j += i) flags[j] = 0;
    }
    long long count = 0;
    for (long long k = 0; k <= n; k++) count += flags[k];
    free(flags);
    return count;
}
