package dev.icetune.listener;

import io.trino.spi.eventlistener.DoubleSymmetricDistribution;
import io.trino.spi.eventlistener.LongDistribution;
import io.trino.spi.eventlistener.LongSymmetricDistribution;
import io.trino.spi.eventlistener.StageTaskStatistics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TestSkew
{
    @Test
    void worstStageIsTheOneWhoseBusiestTaskReadMostAgainstTheMedian()
    {
        EventCapture.Skew skew = EventCapture.Skew.worst(List.of(
                stage(1, 4, 100, 150),
                stage(2, 8, 100, 900),
                stage(3, 1, 10, 10_000)));   // one task: nothing to be skewed against

        assertThat(skew).isEqualTo(new EventCapture.Skew(2, 9.0));
    }

    @Test
    void noSkewFigureWithoutAMedian()
    {
        assertThat(EventCapture.Skew.worst(List.of(stage(1, 4, 0, 500)))).isNull();
        assertThat(EventCapture.Skew.worst(List.of())).isNull();
    }

    private static StageTaskStatistics stage(int stageId, int tasks, long medianInputBytes, long maxInputBytes)
    {
        LongDistribution zero = new LongDistribution(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        LongDistribution input = new LongDistribution(medianInputBytes, medianInputBytes, maxInputBytes, maxInputBytes, maxInputBytes,
                maxInputBytes, 0, maxInputBytes, medianInputBytes * tasks, medianInputBytes);
        LongSymmetricDistribution times = new LongSymmetricDistribution(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        DoubleSymmetricDistribution scaled = DoubleSymmetricDistribution.ZERO;
        return new StageTaskStatistics(stageId, tasks, zero, zero, zero, zero, input, zero, zero, zero, zero, zero, zero,
                times, times, times, times, times, times, scaled, scaled, scaled, scaled, scaled, scaled, Map.of());
    }
}
