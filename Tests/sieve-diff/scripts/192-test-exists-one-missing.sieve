require ["fileinto"];
if exists ["From", "X-Missing"] {
    fileinto "yes";
} else {
    fileinto "no";
}
