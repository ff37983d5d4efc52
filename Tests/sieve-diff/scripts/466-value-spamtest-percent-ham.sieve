require ["fileinto", "variables", "spamtestplus"];
if spamtest :percent :matches "*" {
    fileinto "v-${0}";
}
