package dev.icetune.engine.model;

/** The runbook's escalation levels: who acts, and how far-reaching the change is. */
public enum Level
{
    L1("maintenance"),
    L2("query rewriting"),
    L3("architecture"),
    L4("infrastructure");

    private final String meaning;

    Level(String meaning)
    {
        this.meaning = meaning;
    }

    public String meaning()
    {
        return meaning;
    }
}
