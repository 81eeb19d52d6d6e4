package dev.icetune.listener;

import io.trino.spi.Plugin;
import io.trino.spi.eventlistener.EventListenerFactory;

import java.util.List;

/** Entry point Trino finds in {@code plugin/icetune/}: contributes the {@code icetune} event listener. */
public final class IcetunePlugin
        implements Plugin
{
    @Override
    public Iterable<EventListenerFactory> getEventListenerFactories()
    {
        return List.of(new IcetuneEventListenerFactory());
    }
}
