package dev.icetune.listener;

/** What the listener stores: one immutable value per Trino event, ready to write or to spool. */
public sealed interface CapturedEvent
        permits CapturedQuery, CapturedStart
{
    String queryId();
}
