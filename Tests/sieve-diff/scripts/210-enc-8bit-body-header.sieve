require ["fileinto"];
if header :contains "Content-Type" "utf-8" {
    fileinto "yes";
} else {
    fileinto "no";
}
