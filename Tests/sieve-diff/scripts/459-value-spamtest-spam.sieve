require ["fileinto", "variables", "spamtest"];
if spamtest :matches "*" {
    fileinto "v-${0}";
}
