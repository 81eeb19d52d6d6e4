package dev.icetune.fixes;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When a fix measured without a clear change has no effect, and when it is too close to call. */
class TestEffectVerdict
{
    @Test
    void noEffectOnlyWhereTheMeasurementRulesOutAChange()
    {
        assertThat(EffectMeasurer.withinChange(10, 10, 1, 0.2)).as("flat, little noise").isTrue();
        assertThat(EffectMeasurer.withinChange(10, 9, 1, 0.2)).as("10% fewer, noise 10%: at most 20%").isTrue();
        assertThat(EffectMeasurer.withinChange(10, 10, 3, 0.2)).as("flat but noisy: a 30% change not ruled out").isFalse();
        assertThat(EffectMeasurer.withinChange(10, 11.5, 1, 0.2)).as("15% more, noise 10%").isFalse();
        // nothing misestimated before and after: statistics had nothing to mend
        assertThat(EffectMeasurer.withinChange(0, 0, 0, 0.2)).isTrue();
        assertThat(EffectMeasurer.withinChange(0, 0.1, 0, 0.2)).isFalse();
        assertThat(EffectMeasurer.withinChange(0, 0, 0.05, 0.2)).isFalse();
    }
}
