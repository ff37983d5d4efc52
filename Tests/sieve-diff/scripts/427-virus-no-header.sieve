require ["fileinto", "virustest"];
if virustest :is "0" {
    fileinto "yes";
} else {
    fileinto "no";
}
