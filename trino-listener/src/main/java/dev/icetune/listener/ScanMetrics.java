package dev.icetune.listener;

import io.trino.spi.metrics.Count;
import io.trino.spi.metrics.Metric;
import io.trino.spi.metrics.Timing;

import java.util.Map;

/**
 * The connector metrics of one input that icetune stores (Iceberg's names; null when the connector does not report one), read
 * in one pass over the map: looked up one by one, a dozen names, most of them of metrics Iceberg does not set, were a seventh
 * of the capture stage's time. Read through the SPI interfaces: the metrics' classes belong to the connector's class loader.
 * {@code iceberg}: the metrics are Iceberg's (its split source alone reports dataManifests).
 */
record ScanMetrics(Long dataFiles, Long dataFileBytes, Long manifestsScanned, Long manifestsSkipped, Long deleteFiles, Double planningMillis,
        Long bytesFromCache, Long bytesExternally, boolean iceberg)
{
    static ScanMetrics of(Map<String, Metric<?>> metrics)
    {
        Long dataFiles = null;
        Long dataFileBytes = null;
        Long manifests = null;
        Long scannedManifests = null;
        Long skippedManifests = null;
        Long deleteFiles = null;
        Long positionalDeletes = null;
        Long equalityDeletes = null;
        Long deletionVectors = null;
        Double planningMillis = null;
        Long bytesFromCache = null;
        Long bytesExternally = null;
        for (Map.Entry<String, Metric<?>> entry : metrics.entrySet()) {
            Metric<?> metric = entry.getValue();
            switch (entry.getKey()) {
                case "dataFiles" -> dataFiles = count(metric);
                case "dataFileSizeBytes" -> dataFileBytes = count(metric);
                case "dataManifests" -> manifests = count(metric);
                case "scannedDataManifests" -> scannedManifests = count(metric);
                case "skippedDataManifests" -> skippedManifests = count(metric);
                case "deleteFiles" -> deleteFiles = count(metric);
                case "positionalDeleteFiles" -> positionalDeletes = count(metric);
                case "equalityDeleteFiles" -> equalityDeletes = count(metric);
                // a format version 3 table's deletes are deletion vectors, counted apart from the delete files of version 2
                case "deletionVectorFiles" -> deletionVectors = count(metric);
                case "scanPlanningDuration" -> planningMillis = metric instanceof Timing<?> timing ? timing.getDuration().toNanos() / 1e6 : null;
                case "bytesReadFromCache" -> bytesFromCache = count(metric);
                case "bytesReadExternally" -> bytesExternally = count(metric);
                default -> { }
            }
        }
        if (scannedManifests == null) {
            // Trino's split source names the manifests it read dataManifests, beside the skippedDataManifests it did not read
            scannedManifests = manifests;
        }
        if (deleteFiles == null) {
            deleteFiles = sum(sum(positionalDeletes, equalityDeletes), deletionVectors);
        }
        return new ScanMetrics(dataFiles, dataFileBytes, scannedManifests, skippedManifests, deleteFiles, planningMillis, bytesFromCache, bytesExternally,
                manifests != null);
    }

    private static Long count(Metric<?> metric)
    {
        return metric instanceof Count<?> count ? count.getTotal() : null;
    }

    private static Long sum(Long first, Long second)
    {
        if (first == null) {
            return second;
        }
        return second == null ? first : first + second;
    }
}
