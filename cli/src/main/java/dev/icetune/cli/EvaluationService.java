package dev.icetune.cli;

import dev.icetune.engine.Evaluator;
import dev.icetune.engine.iceberg.TableFactSource;
import dev.icetune.engine.rules.RuleBookHolder;
import dev.icetune.fixes.EffectMeasurer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Evaluations, once or as a service: the rules over the window's evidence, then the measured effect of applied
 * fixes. As a service it never gives up on a transient failure: PostgreSQL, Trino or the Iceberg catalog going
 * away fails that evaluation (reported, counted in {@code icetune.evaluation.failures}) and the next interval
 * tries again; {@code icetune.evaluation.last.success.time} tells an alert how long ago one last worked.
 */
public final class EvaluationService
{
    /** One evaluation's outcome: what the rules concluded, and the fixes whose effect was measured in it. */
    public record Round(Evaluator.Result result, List<EffectMeasurer.Effect> effects) {}

    private final Context context;
    private final Evaluator evaluator;
    private final Counter failures;
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();

    public EvaluationService(Context context, MeterRegistry meters, Consumer<String> problems)
    {
        this.context = requireNonNull(context, "context is null");
        RuleBookHolder rules = context.rules(problems);
        // the catalog is opened at the first evaluation that needs it, and again after it failed to open
        Optional<TableFactSource> tables = context.settings().hasIcebergCatalog()
                ? Optional.of((seen, smallFileBytes, now, report) -> context.requireIceberg("reading table metadata").read(seen, smallFileBytes, now, report))
                : Optional.empty();
        this.evaluator = new Evaluator(context.jdbi(), rules, tables, context.settings().engine().getWindow().toJavaTime(),
                context.settings().engine().getBaseline().toJavaTime(), context.settings().engine().getResolveAfter(), context.store(), meters);
        this.failures = Counter.builder("icetune.evaluation.failures").description("evaluations that failed (database, Trino or catalog unavailable, ...)").register(meters);
        Gauge.builder("icetune.evaluation.last.success.time", lastSuccessEpochSeconds, AtomicLong::get).baseUnit("seconds")
                .description("when the last evaluation succeeded, in seconds since the epoch (0: none yet)").register(meters);
    }

    public Round evaluateOnce(Instant now, Consumer<String> progress)
    {
        Evaluator.Result result = evaluator.evaluate(now, progress);
        List<EffectMeasurer.Effect> effects = new EffectMeasurer(context.jdbi(), context.store(),
                (int) evaluator.thresholds().get("effect.min_queries")).measure(now, context.settings().engine().getBaseline().toJavaTime());
        effects.forEach(effect -> progress.accept("fix #%d %s: %s".formatted(effect.recommendationId(), effect.verdict(), effect.figures())));
        lastSuccessEpochSeconds.set(Instant.now().getEpochSecond());
        return new Round(result, effects);
    }

    /** Evaluates every {@code interval} until the thread is interrupted; a failed evaluation is reported and retried at the next. */
    public void run(Duration interval, Consumer<String> progress, Consumer<Round> done, Consumer<String> problems)
            throws InterruptedException
    {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                done.accept(evaluateOnce(Instant.now(), progress));
            }
            catch (RuntimeException e) {
                failures.increment();
                problems.accept("evaluation failed, trying again in " + interval.toSeconds() + "s: " + IcetuneCli.message(e));
            }
            Thread.sleep(interval);
        }
    }
}
