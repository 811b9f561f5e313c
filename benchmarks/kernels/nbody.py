"""N-body simulation of the Jovian planets: a float kernel over a list of records."""

import math
from dataclasses import dataclass

SMALL = 100
LARGE = 50000
KIND = "float"
TOLERANCE = 0.0  # same operations in the same order everywhere: bit-for-bit equal

PI = 3.141592653589793
SOLAR_MASS = 4.0 * PI * PI
DAYS_PER_YEAR = 365.24


@dataclass
class Body:
    """One body: position, velocity and mass; a record compared by value. Only ever updated through
    `bodies[i].field`, so the kernel means the same with reference semantics (Python) and value
    semantics (a struct)."""

    x: float
    y: float
    z: float
    vx: float
    vy: float
    vz: float
    mass: float


def make_bodies() -> list[Body]:
    """The sun and the four gas giants (positions in AU, velocities in AU/year)."""
    bodies: list[Body] = []
    bodies.append(Body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS))
    bodies.append(
        Body(
            4.84143144246472090e00,
            -1.16032004402742839e00,
            -1.03622044471123109e-01,
            1.66007664274403694e-03 * DAYS_PER_YEAR,
            7.69901118419740425e-03 * DAYS_PER_YEAR,
            -6.90460016972063023e-05 * DAYS_PER_YEAR,
            9.54791938424326609e-04 * SOLAR_MASS,
        )
    )
    bodies.append(
        Body(
            8.34336671824457987e00,
            4.12479856412430479e00,
            -4.03523417114321381e-01,
            -2.76742510726862411e-03 * DAYS_PER_YEAR,
            4.99852801234917238e-03 * DAYS_PER_YEAR,
            2.30417297573763929e-05 * DAYS_PER_YEAR,
            2.85885980666130812e-04 * SOLAR_MASS,
        )
    )
    bodies.append(
        Body(
            1.28943695621391310e01,
            -1.51111514016986312e01,
            -2.23307578892655734e-01,
            2.96460137564761618e-03 * DAYS_PER_YEAR,
            2.37847173959480950e-03 * DAYS_PER_YEAR,
            -2.96589568540237556e-05 * DAYS_PER_YEAR,
            4.36624404335156298e-05 * SOLAR_MASS,
        )
    )
    bodies.append(
        Body(
            1.53796971148509165e01,
            -2.59193146099879641e01,
            1.79258772950371181e-01,
            2.68067772490389322e-03 * DAYS_PER_YEAR,
            1.62824170038242295e-03 * DAYS_PER_YEAR,
            -9.51592254519715870e-05 * DAYS_PER_YEAR,
            5.15138902046611451e-05 * SOLAR_MASS,
        )
    )
    return bodies


def offset_momentum(bodies: list[Body]) -> None:
    """Give the sun the velocity that makes the total momentum zero."""
    px = 0.0
    py = 0.0
    pz = 0.0
    for i in range(len(bodies)):
        px += bodies[i].vx * bodies[i].mass
        py += bodies[i].vy * bodies[i].mass
        pz += bodies[i].vz * bodies[i].mass
    bodies[0].vx = -px / SOLAR_MASS
    bodies[0].vy = -py / SOLAR_MASS
    bodies[0].vz = -pz / SOLAR_MASS


def advance(bodies: list[Body], dt: float) -> None:
    """One time step: pairwise gravity on the velocities, then move every body."""
    n = len(bodies)
    for i in range(n):
        for j in range(i + 1, n):
            dx = bodies[i].x - bodies[j].x
            dy = bodies[i].y - bodies[j].y
            dz = bodies[i].z - bodies[j].z
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * math.sqrt(d2))
            mj = bodies[j].mass * mag
            mi = bodies[i].mass * mag
            bodies[i].vx -= dx * mj
            bodies[i].vy -= dy * mj
            bodies[i].vz -= dz * mj
            bodies[j].vx += dx * mi
            bodies[j].vy += dy * mi
            bodies[j].vz += dz * mi
    for i in range(n):
        bodies[i].x += dt * bodies[i].vx
        bodies[i].y += dt * bodies[i].vy
        bodies[i].z += dt * bodies[i].vz


def energy(bodies: list[Body]) -> float:
    """Kinetic plus potential energy of the system."""
    e = 0.0
    n = len(bodies)
    for i in range(n):
        b = bodies[i]
        e += 0.5 * b.mass * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz)
        for j in range(i + 1, n):
            dx = b.x - bodies[j].x
            dy = b.y - bodies[j].y
            dz = b.z - bodies[j].z
            e -= (b.mass * bodies[j].mass) / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def nbody(n: int) -> float:
    """Energy of the system after n steps of 0.01 years."""
    bodies = make_bodies()
    offset_momentum(bodies)
    for _ in range(n):
        advance(bodies, 0.01)
    return energy(bodies)
