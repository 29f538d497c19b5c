#!/usr/bin/env bash
# Installs the Debian packages the twin needs on a fresh machine (run by .ci/run, and by hand once):
#   iproute2 (ip: network namespaces, veth), nftables (nft: called by kube-proxy's nftables mode),
#   util-linux (setpriv: children die with their parent), bubblewrap (bwrap: pod file views),
#   curl (the pod runner's httpGet probes), python3-httpbin (the Python httpbin of the old samples,
#   which the twin runs for kennethreitz/httpbin: the rehearsal's old-teapot variant).
# Idempotent: does nothing when every tool is there; runs apt-get update only when something is missing.
set -euo pipefail

declare -A package_of=(
  [ip]=iproute2
  [nft]=nftables
  [setpriv]=util-linux
  [bwrap]=bubblewrap
  [curl]=curl
)

missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
[ -f /usr/lib/python3/dist-packages/httpbin/core.py ] || missing+=(python3-httpbin)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-host: ip, nft, setpriv, bwrap, curl and python3-httpbin are installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-host: missing packages ${missing[*]}; run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 2
fi

echo "setup-host: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-host: installed ${missing[*]}"
