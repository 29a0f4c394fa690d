package dev.driftless.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** How the command line writes things for people: aligned tables, short SHAs, ages and durations. Pure. */
final class Render {

    private Render() {}

    /** {@code dev.driftless.sync.succeeded.v1} → {@code sync.succeeded}. */
    static String word(String type) {
        return type == null ? "" : type.replace("dev.driftless.", "").replaceAll("\\.v1$", "");
    }

    static String shortSha(String sha) {
        return sha == null || sha.isEmpty() ? "-" : sha.length() > 8 ? sha.substring(0, 8) : sha;
    }

    /** How long ago an ISO-8601 instant was, as people say it: {@code 12s}, {@code 5m}, {@code 3h}, {@code 2d}. */
    static String age(String instant, Instant now) {
        if (instant == null || instant.isEmpty()) {
            return "-";
        }
        long seconds = Math.max(0, Duration.between(Instant.parse(instant), now).getSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h";
        }
        return seconds / 86400 + "d";
    }

    static String millis(JsonNode ms) {
        if (ms == null || ms.isNull() || ms.isMissingNode()) {
            return "-";
        }
        long value = ms.asLong();
        return value < 1000 ? value + "ms" : String.format("%.1fs", value / 1000.0);
    }

    /** Text of a field, {@code -} when absent. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() || value.asText().isEmpty() ? "-" : value.asText();
    }

    /** Columns aligned with two spaces between them, the header in capitals. */
    static String table(List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header.stream().map(h -> h.toUpperCase(java.util.Locale.ROOT)).toList());
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(row.get(i));
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - row.get(i).length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
