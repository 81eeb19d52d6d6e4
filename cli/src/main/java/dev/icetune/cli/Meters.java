package dev.icetune.cli;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;

/** The service's meters: JMX under the domain {@code icetune}, as the listener publishes its own. */
public final class Meters
{
    private Meters() {}

    public static CompositeMeterRegistry jmx()
    {
        CompositeMeterRegistry meters = new CompositeMeterRegistry();
        meters.add(new JmxMeterRegistry(new JmxConfig()
        {
            @Override
            public String get(String key)
            {
                return null;
            }

            // JmxConfig's domain() is a constant, not read from get(): it must be overridden
            @Override
            public String domain()
            {
                return "icetune";
            }
        }, Clock.SYSTEM));
        return meters;
    }
}
