package dev.icetune.listener;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The listener's Micrometer meters, published to the platform MBean server under the {@code icetune}
 * domain, which is where Trino's JMX (and its jmx catalog) looks.
 */
final class ListenerMetrics
        implements AutoCloseable
{
    private final MeterRegistry registry;
    final Counter received;
    final Counter written;
    final Counter spooled;
    final Counter replayed;
    final Counter dropped;
    final Counter writeFailures;
    final Timer batchLatency;

    private ListenerMetrics(MeterRegistry registry, Supplier<Number> queueDepth, Supplier<Number> spoolBytes)
    {
        this.registry = registry;
        received = Counter.builder("icetune.events.received").description("events handed to the listener by Trino").register(registry);
        written = Counter.builder("icetune.events.written").description("events committed to PostgreSQL").register(registry);
        spooled = Counter.builder("icetune.events.spooled").description("events written to the on-disk journal while PostgreSQL was unavailable").register(registry);
        replayed = Counter.builder("icetune.events.replayed").description("journaled events later committed to PostgreSQL").register(registry);
        dropped = Counter.builder("icetune.events.dropped").description("events lost because both the queue and the journal were full").register(registry);
        writeFailures = Counter.builder("icetune.write.failures").description("batches PostgreSQL did not accept").register(registry);
        batchLatency = Timer.builder("icetune.batch.latency").description("time to commit one batch").register(registry);
        Gauge.builder("icetune.queue.depth", queueDepth).description("events waiting for the writer").register(registry);
        Gauge.builder("icetune.spool.bytes", spoolBytes).description("bytes in the on-disk journal").register(registry);
    }

    static ListenerMetrics jmx(Supplier<Number> queueDepth, Supplier<Number> spoolBytes)
    {
        // JmxConfig's domain() is a constant, not read from get(): it must be overridden
        JmxConfig config = new JmxConfig()
        {
            @Override
            public String get(String key)
            {
                return null;
            }

            @Override
            public String domain()
            {
                return "icetune";
            }

            @Override
            public Duration step()
            {
                return Duration.ofMinutes(1);
            }
        };
        return new ListenerMetrics(new JmxMeterRegistry(config, Clock.SYSTEM), queueDepth, spoolBytes);
    }

    @Override
    public void close()
    {
        registry.close();
    }
}
