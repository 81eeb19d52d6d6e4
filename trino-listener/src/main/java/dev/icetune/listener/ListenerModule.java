package dev.icetune.listener;

import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;
import dev.icetune.store.Database;
import dev.icetune.store.StoreConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

import static io.airlift.configuration.ConfigBinder.configBinder;

/** Wires the capture plugin: its settings, the database, the journal, the two stages and their meters. */
final class ListenerModule
        implements Module
{
    static final String APPLICATION_NAME = "icetune-trino-listener";

    @Override
    public void configure(Binder binder)
    {
        configBinder(binder).bindConfig(StoreConfig.class);
        configBinder(binder).bindConfig(ListenerConfig.class);
        binder.bind(EventWriter.class).in(Scopes.SINGLETON);
        binder.bind(PostgresSink.class).in(Scopes.SINGLETON);
        binder.bind(IcetuneEventListener.class).in(Scopes.SINGLETON);
    }

    @Provides
    @Singleton
    static Database database(StoreConfig config)
    {
        return new Database(config, TrinoDataDirectory.get(), APPLICATION_NAME);
    }

    @Provides
    @Singleton
    static EventQueue queue(ListenerConfig config)
    {
        return new EventQueue(config.getQueueCapacity());
    }

    @Provides
    @Singleton
    static EventCapture capture(ListenerConfig config)
    {
        return new EventCapture(Optional.ofNullable(config.getClusterName()), config.getMaxQueryTextLength(), config.isKeepPlan());
    }

    @Provides
    @Singleton
    static SpoolJournal journal(ListenerConfig config)
    {
        Path directory = TrinoDataDirectory.get().resolve(config.getSpoolDirectory()).normalize();
        try {
            return new SpoolJournal(directory, config.getSpoolMaxSize().toBytes());
        }
        catch (IOException e) {
            throw new UncheckedIOException("icetune: cannot use icetune.spool.dir " + directory, e);
        }
    }

    @Provides
    @Singleton
    static ListenerMetrics metrics(EventQueue queue, SpoolJournal journal)
    {
        return ListenerMetrics.jmx(queue::size, journal::bytes);
    }
}
