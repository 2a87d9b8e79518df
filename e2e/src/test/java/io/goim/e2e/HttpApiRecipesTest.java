package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every curl recipe in {@code docs/http-api.md} and the README, run as written against a
 * real cluster (only logic's port differs), so the documentation cannot drift from the
 * API. A recipe followed by {@code # {"ret":...}} must answer with the same {@code ret}
 * and the same top-level fields; one ending in {@code # ... NNN} must answer HTTP NNN.
 */
@ClusterTest
class HttpApiRecipesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STATUS_COMMENT = Pattern.compile("\\s+#[^#]*?(\\d{3})[^#]*$");

    /** One documented command and what the docs say it answers. */
    private record Recipe(String source, String command, JsonNode expectedJson, int expectedStatus) { }

    private static List<Recipe> recipes(Path doc) throws Exception {
        List<Recipe> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(doc);
        boolean inShell = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("```")) {
                inShell = !inShell && line.equals("```sh");
                continue;
            }
            if (!inShell || !line.contains("curl ") || !line.contains(":7172/")) {
                continue;
            }
            String source = doc.getFileName() + ":" + (i + 1);
            Matcher status = STATUS_COMMENT.matcher(line);
            if (status.find()) {
                out.add(new Recipe(source, line.substring(0, status.start()), null, Integer.parseInt(status.group(1))));
            } else {
                String next = i + 1 < lines.size() ? lines.get(i + 1).strip() : "";
                assertTrue(next.startsWith("# {"), source + ": a recipe without a documented answer: " + line);
                out.add(new Recipe(source, line, JSON.readTree(next.substring(2)), 0));
            }
        }
        return out;
    }

    private static String run(String command) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "timed out: " + command);
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void everyDocumentedCurlRecipeAnswersAsDocumented(LocalCluster.Builder newCluster) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "no curl installed");
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Recipe> recipes = new ArrayList<>(recipes(root.resolve("docs/http-api.md")));
        recipes.addAll(recipes(root.resolve("README.md")));
        assertTrue(recipes.size() >= 10, "found only " + recipes.size() + " recipes");
        try (LocalCluster cluster = newCluster.start()) {
            for (Recipe r : recipes) {
                String command = r.command().replace("127.0.0.1:7172", "127.0.0.1:" + cluster.logic.httpPort())
                        .replace("curl ", "curl -sS "); // no progress meter in the answer
                if (r.expectedJson() == null) {
                    String out = run(command.contains(" -i ") ? command : command.replace("curl ", "curl -i "));
                    assertTrue(out.startsWith("HTTP/1.1 " + r.expectedStatus() + " "),
                            r.source() + ": " + r.command() + " answered\n" + out);
                } else {
                    String out = run(command);
                    JsonNode answer = JSON.readTree(out);
                    assertEquals(r.expectedJson().path("ret"), answer.path("ret"), r.source() + ": " + out);
                    List<String> expectedFields = new ArrayList<>();
                    r.expectedJson().fieldNames().forEachRemaining(expectedFields::add);
                    List<String> fields = new ArrayList<>();
                    answer.fieldNames().forEachRemaining(fields::add);
                    assertEquals(expectedFields, fields, r.source() + ": " + out);
                }
            }
        }
    }
}
