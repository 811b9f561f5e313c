/* Fannkuch-redux: the same permutation order and flip counting as kernels/fannkuch.py. */
#include <stdlib.h>

long long fannkuch(long long n) {
    long long *perm1 = malloc(sizeof(long long) * n), *perm = malloc(sizeof(long long) * n);
    long long *count = malloc(sizeof(long long) * n);
    for (long long i = 0; i < n; i++) { perm1[i] = i; perm[i] = 0; count[i] = 0; }
    long long max_flips = 0, checksum = 0, perm_count = 0, r = n;
    int done = 0;
    while (!done) {
        while (r != 1) { count[r - 1] = r; r--; }
        for (long long i = 0; i < n; i++) perm[i] = perm1[i];
        long long flips = 0, k = perm[0];
        while (k != 0) {
            long long lo = 0, hi = k;
            while (lo < hi) {
                long long t = perm[lo]; perm[lo] = perm[hi]; perm[hi] = t;
                lo++; hi--;
            }
            flips++;
            k = perm[0];
        }
        if (flips > max_flips) max_flips = flips;
        if (perm_count % 2 == 0) checksum += flips; else checksum -= flips;
        for (;;) {
            if (r == n) { done = 1; break; }
            long long perm0 = perm1[0];
            for (long long i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            count[r]--;
            if (count[r] > 0) break;
            r++;
        }
        perm_count++;
    }
    free(perm1); free(perm); free(count);
    return checksum * 100 + max_flips;
}
