require ["fileinto", "index"];
if header :index 2 :is "X-Tag" "Beta" {
    fileinto "yes";
} else {
    fileinto "no";
}
