require ["fileinto", "index"];
if header :index 1 :last :contains "Received" "client.example.com" {
    fileinto "yes";
} else {
    fileinto "no";
}
