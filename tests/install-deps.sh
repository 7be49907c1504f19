#!/bin/sh
# install-deps.sh - install the Debian packages hedui needs, saying which.
#
# Usage: tests/install-deps.sh [build|test|pg|report|pack|man|fuzz|serve|mpi]...
#   build  compiler, libcsv, xxHash, libpq, jansson, libxlsxwriter (township
#          packs), libzip + expat (reading filled packs), OpenSSL's libcrypto
#          (pack keys), libmicrohttpd + GnuTLS (hedui serve), OpenMP (libgomp
#          comes with gcc)
#   test   build + check (unit tests)
#   pg     the PostgreSQL 15 server, for the database tests
#   report Chromium (headless) and a CJK font, for tests/report_test.sh
#   pack   python3-openpyxl and LibreOffice Calc (headless), for tests/pack_test.sh
#   man    man-db and groff, to render doc/hedui.1 (tests/ops_test.sh)
#   serve  curl, wrk and openssl, for tests/serve_test.sh and bench/serve_bench.sh
#   fuzz   build + clang 14 with libFuzzer and the sanitizers
#          (libclang-rt-14-dev) and LLVM OpenMP, for tests/fuzz.sh
#   mpi    build + Open MPI (mpicc, mpirun), for `make mpi` and tests/mpi_test.sh
# Installs only what is missing; needs root (or sudo) only when something is.
set -eu

pkgs_build="gcc make pkg-config libc6-dev libcsv-dev libxxhash-dev libpq-dev libjansson-dev
            libxlsxwriter-dev libzip-dev libexpat1-dev libssl-dev libmicrohttpd-dev libgnutls28-dev"
pkgs_test="check"
pkgs_pg="postgresql-15"
pkgs_report="chromium fonts-wqy-zenhei"
pkgs_pack="python3-openpyxl libreoffice-calc-nogui"
pkgs_man="man-db groff-base"
pkgs_fuzz="clang libclang-rt-14-dev libomp-14-dev"
pkgs_mpi="openmpi-bin libopenmpi-dev"
pkgs_serve="curl wrk openssl"

want=""
[ $# -eq 0 ] && set -- build
for what in "$@"; do
    case "$what" in
        build) want="$want $pkgs_build" ;;
        test)  want="$want $pkgs_build $pkgs_test" ;;
        pg)    want="$want $pkgs_pg" ;;
        report) want="$want $pkgs_report" ;;
        pack)  want="$want $pkgs_pack" ;;
        man)   want="$want $pkgs_man" ;;
        fuzz)  want="$want $pkgs_build $pkgs_fuzz" ;;
        mpi)   want="$want $pkgs_build $pkgs_mpi" ;;
        serve) want="$want $pkgs_serve" ;;
        *) echo "install-deps.sh: unknown group '$what' (build, test, pg, report, pack, man, fuzz, serve, mpi)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $want; do
    case " $missing " in *" $p "*) continue ;; esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

echo "hedui: installing missing Debian packages:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "hedui: need root to install:$missing; run as root or install them yourself" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
echo "hedui: installed:$missing" >&2
