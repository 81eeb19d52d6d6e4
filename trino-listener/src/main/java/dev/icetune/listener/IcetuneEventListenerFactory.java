package dev.icetune.listener;

import io.airlift.bootstrap.Bootstrap;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.EventListenerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * Bootstraps the listener from {@code etc/event-listener.properties}, and nothing else. An unknown key or an
 * invalid value fails Trino's start-up with a message naming it: better than a coordinator that silently
 * captures nothing.
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
        Map<String, String> properties = new HashMap<>(config);
        // Trino's own key names the factory; it is not ours to validate
        properties.remove("event-listener.name");
        return new Bootstrap(new ListenerModule())
                .doNotInitializeLogging()
                .setRequiredConfigurationProperties(properties)
                .initialize()
                .getInstance(IcetuneEventListener.class);
    }
}
