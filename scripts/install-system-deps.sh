#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing (apt-get update once, first).
# TTS engines make test and training speech (sox makes new speakers and channels from them); Chromium runs
# the browser test; PortAudio backs `seal mic`; WordNet and fortunes are general English to train on; the six
# FAQ doc packages (~95 MB) are the human-written dev set and FAQ training text (training/data/faqs.py).
set -euo pipefail
packages=(espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts sox libsox-fmt-all
          chromium chromium-driver libportaudio2 libsndfile1 wordnet-base fortunes-min
          perl-doc sqlite3-doc r-doc-html git-doc ffmpeg-doc libcurl4-doc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
