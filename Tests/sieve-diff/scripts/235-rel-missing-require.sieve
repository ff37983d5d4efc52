require ["fileinto"];
if header :value "gt" "X-Count" "1" {
    fileinto "yes";
} else {
    fileinto "no";
}
