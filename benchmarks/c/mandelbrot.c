/* Mandelbrot escape times: the same operations, in the same order, as kernels/mandelbrot.py. */
#define MAX_ITER 50

static long long escape_time(double cr, double ci) {
    double zr = 0.0, zi = 0.0;
    for (long long i = 0; i < MAX_ITER; i++) {
        double tr = zr * zr - zi * zi + cr;
        double ti = 2.0 * zr * zi + ci;
        zr = tr;
        zi = ti;
        if (zr * zr + zi * zi > 4.0) return i;
    }
    return MAX_ITER;
}

long long mandelbrot(long long n) {
    long long total = 0;
    for (long long y = 0; y < n; y++) {
        double ci = 2.0 * (double)y / (double)n - 1.0;
        for (long long x = 0; x < n; x++) {
            double cr = 2.0 * (double)x / (double)n - 1.5;
            total += escape_time(cr, ci);
        }
    }
    return total;
}
