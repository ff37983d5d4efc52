require ["fileinto", "virustest"];
if virustest :is "4" {
    fileinto "yes";
} else {
    fileinto "no";
}
