package dev.icetune.server;

import io.trino.server.Server;

/**
 * Starts Trino 483 from the assembled directory (lib/ on the class path, etc/config.properties named by
 * the {@code config} system property, plugins under plugin/): the tarball's launcher, for a server that
 * Maven Central no longer publishes as a tarball.
 */
public final class TrinoServerLauncher
{
    private TrinoServerLauncher() {}

    public static void main(String[] args)
    {
        new Server().start(args.length > 0 ? args[0] : "483");
    }
}
