require ["fileinto"];
if exists ["From", "To", "X-Tag"] {
    fileinto "yes";
} else {
    fileinto "no";
}
