package dev.icetune.listener;

import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.EventListenerFactory;

import java.util.Map;

/**
 * Creates the listener from {@code etc/event-listener.properties}. Invalid configuration throws, which
 * fails Trino's start-up with a message naming the key: better than a coordinator that silently captures nothing.
 */
public final class IcetuneEventListenerFactory
        implements EventListenerFactory
{
    public static final String NAME = "icetune";

    @Override
    public String getName()
    {
        return NAME;
    }

    @Override
    public EventListener create(Map<String, String> config, EventListenerContext context)
    {
        IcetuneConfig icetuneConfig = IcetuneConfig.fromProperties(config);
        return IcetuneEventListener.start(icetuneConfig);
    }
}
