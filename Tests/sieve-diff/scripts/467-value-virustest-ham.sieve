require ["fileinto", "variables", "virustest"];
if virustest :matches "*" {
    fileinto "v-${0}";
}
