package dev.icetune.engine.model;

/** How urgent a recommendation is; the order of the constants is the order of urgency, least first. */
public enum Severity
{
    LOW, MEDIUM, HIGH, CRITICAL
}
