/// What `nip --version` prints; the one place the version is written.
let nipVersion = "0.1.0"
