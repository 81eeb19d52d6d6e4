package dev.icetune.cli;

import picocli.CommandLine;

/** The version of the running build, from its jar's manifest (or "development" when run from classes). */
final class Version
        implements CommandLine.IVersionProvider
{
    @Override
    public String[] getVersion()
    {
        String version = IcetuneCli.class.getPackage().getImplementationVersion();
        return new String[] {"icetune " + (version == null ? "development" : version)};
    }
}
