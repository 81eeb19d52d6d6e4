# Sourced by the bin/ scripts and .ci/run: points JAVA_HOME at a JDK 25, or stops with a clear message.
# Trino 483 targets JDK 25; the machine's default java may be older (JDK 17 on our build machines).
icetune_java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

icetune_find_jdk25() {
    local candidate
    for candidate in "${ICETUNE_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* "$HOME"/.sdkman/candidates/java/*; do
        if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] \
            && [ "$(icetune_java_major "$candidate")" -ge 25 ] 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! JAVA_HOME="$(icetune_find_jdk25)"; then
    echo "icetune: no JDK 25 found. Trino 483 needs JDK 25: install one (e.g. Temurin 25 under /usr/lib/jvm)" >&2
    echo "icetune: or point ICETUNE_JAVA_HOME at it. Looked at \$ICETUNE_JAVA_HOME, \$JAVA_HOME and /usr/lib/jvm/*." >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
