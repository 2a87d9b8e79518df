package io.goim.bench.capacity;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table with a title. */
public record Table(String title, List<String> header, List<List<String>> rows) {

    Table(String title, String... header) {
        this(title, List.of(header), new ArrayList<>());
    }

    Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(String.valueOf(c));
        }
        rows.add(r);
        return this;
    }

    /** The cell of the first row whose first cell is {@code label}, column {@code column}. */
    String cell(String label, int column) {
        return rows.stream().filter(r -> r.get(0).equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no row " + label)).get(column);
    }

    String markdown() {
        StringBuilder b = new StringBuilder("### ").append(title).append("\n\n");
        b.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> b.append("---|"));
        b.append('\n');
        rows.forEach(r -> b.append("| ").append(String.join(" | ", r)).append(" |\n"));
        return b.toString();
    }
}
